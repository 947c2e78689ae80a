{ _module.args.custom = true; }
