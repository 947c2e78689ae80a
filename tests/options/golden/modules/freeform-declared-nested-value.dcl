{ nested.value = "deep"; }
