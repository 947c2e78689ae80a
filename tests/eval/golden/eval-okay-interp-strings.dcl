let x = "s"; in "${x}${x}" + "${x}"
