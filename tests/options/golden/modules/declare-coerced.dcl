{ lib, ... }: { options.coerced = lib.mkOption { type = lib.types.coercedTo lib.types.int toString lib.types.str; }; }
