rec { a = 1; inherit ({ b = a + 1; }) b; }
