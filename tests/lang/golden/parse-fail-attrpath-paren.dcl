a.(b)
