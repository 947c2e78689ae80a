{
  users.alice = { enable = true; };
  users.bob.name = "robert";
}
