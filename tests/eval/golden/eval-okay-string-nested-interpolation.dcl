"outer ${"inner ${"innermost"}"}"
