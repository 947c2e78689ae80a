"""The lazy evaluator: values, compilation of the AST to closures, forcing, builtins."""
