# lib.path: the cheap part of nixpkgs' lib.path — appending relative
# "subpaths" to path values and normalising subpath strings.
{ lib }:
let
  inherit (builtins) concatStringsSep filter isString match split substring typeOf;

  invalidReason = value:
    if !isString value then "The given value is of type ${typeOf value}, but a string was expected"
    else if value == "" then "The given string is empty"
    else if substring 0 1 value == "/" then
      "The given string \"${value}\" starts with a `/`, representing an absolute path"
    else if match "(.*/)?\\.\\.(/.*)?" value != null then
      "The given string \"${value}\" contains a `..` component, which is not allowed in subpaths"
    else null;

  components = s: filter (c: isString c && c != "" && c != ".") (split "/" s);
  render = parts: if parts == [ ] then "./" else "./" + concatStringsSep "/" parts;
in
{
  append = path: subpath:
    assert lib.assertMsg (builtins.isPath path)
      "lib.path.append: The first argument is of type ${typeOf path}, but a path was expected";
    assert lib.assertMsg (invalidReason subpath == null)
      "lib.path.append: Second argument is not a valid subpath string:\n    ${invalidReason subpath}";
    path + ("/" + subpath);

  subpath = {
    isValid = value: invalidReason value == null;

    join = subpaths:
      render (builtins.concatLists (lib.imap0 (i: p:
        if invalidReason p == null then components p
        else throw "lib.path.subpath.join: Element at index ${toString i} is not a valid subpath string:\n    ${invalidReason p}")
        subpaths));

    normalise = subpath:
      assert lib.assertMsg (invalidReason subpath == null)
        "lib.path.subpath.normalise: Argument is not a valid subpath string:\n    ${invalidReason subpath}";
      render (components subpath);

    components = subpath:
      assert lib.assertMsg (invalidReason subpath == null)
        "lib.path.subpath.components: Argument is not a valid subpath string:\n    ${invalidReason subpath}";
      components subpath;
  };
}
