with builtins; [ (attrNames { }) (attrValues { }) (attrNames { b = 1; a = { z = 1; }; }) ]
