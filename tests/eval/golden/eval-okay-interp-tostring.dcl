"${toString 42} ${toString true} ${toString null}|"
