{
  # a comment
  enable = "yes";
}
