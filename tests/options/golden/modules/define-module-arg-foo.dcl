{ _module.args.foo = "from _module.args"; }
