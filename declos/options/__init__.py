"""The module system: option types, priorities, evalModules and the `lib` set."""
