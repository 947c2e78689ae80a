"${"a"}${"b"}c${toString 1}"
