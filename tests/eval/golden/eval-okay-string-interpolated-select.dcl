let x = { y = "deep"; }; in "${x.y} ${x.y}"
