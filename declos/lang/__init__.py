"""The DCL front end: tokenizer, grammar, AST, parser and printer. Evaluates nothing."""
