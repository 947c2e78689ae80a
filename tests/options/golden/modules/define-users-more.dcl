{ lib, ... }: { users.alice.home = lib.mkForce "/srv/alice"; users.carol = { }; }
