{
  services.foo.enable = true;
}
