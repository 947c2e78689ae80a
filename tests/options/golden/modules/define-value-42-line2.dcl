{ lib, ... }:
{ value = 42; }
