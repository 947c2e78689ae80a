{ ${name} = 1; "quoted key" = 2; "a${b}" = 3; ${"static"} = 4; }
