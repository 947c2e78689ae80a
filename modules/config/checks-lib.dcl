# What may reach /etc/passwd, /etc/group, /etc/shadow and the names under
# /etc: the checks users-groups.dcl and etc.dcl share, and the
# "defined in FILE:LINE" of their assertions.  A helper, never listed in
# module-list.dcl:
#
#   chk = import ./checks-lib.dcl { inherit lib; };
#   chk.nameProblem "Alice"          # "it does not match the regex …"
#   chk.isNormalizedAbsolute "/a/b"  # true ("/a/../b", "/a/", "a" are not)
{ lib }:

let
  inherit (lib) types;

  char = hex: builtins.fromJSON "\"\\u${hex}\"";

  # Everything some reader takes for the end of a line (glibc: \n; Python's
  # str.splitlines, which activation's own readers use: also \v \f \r
  # \x1c-\x1e NEL LS PS), and NUL, which ends a C string.
  # (Nix's strings cannot hold NUL: under Nix, bench/stack.py's oracle,
  # `char "0000"` is "" and would make every string a break.)
  lineEnds = builtins.filter (c: c != "")
    (map char [ "000a" "000b" "000c" "000d" "001c" "001d" "001e" "0085" "2028" "2029" "0000" ]);
  breakRegex = ".*(${lib.concatStringsSep "|" lineEnds}).*";

  showDef = d: "${toString d.file}${lib.optionalString (d.line or null != null) ":${toString d.line}"}";

  # Where attribute `n` is set in an attrsOf definition `v`: false if it is
  # not, else its position (null if unknown).  Looks through mkIf, mkMerge,
  # mkOverride and mkOrder.
  posIn = n: v:
    let t = v._type or null; in
    if !builtins.isAttrs v then false
    else if t == "if" || t == "override" || t == "order" then posIn n v.content
    else if t == "merge" then
      lib.foldl' (found: c: if found != false then found else posIn n c) false v.contents
    else if v ? ${n} then builtins.unsafeGetAttrPos n v
    else false;

in
rec {
  # The user and group names useradd accepts (shadow's default NAME_REGEX).
  nameRegex = "[a-z_][a-z0-9_-]*\\$?";
  nameMaxLength = 32;

  # Why `n` is not a valid user or group name, or null.
  nameProblem = n:
    if builtins.match nameRegex n == null then "it does not match the regex \"${nameRegex}\""
    else if builtins.stringLength n > nameMaxLength then "it is longer than ${toString nameMaxLength} characters"
    else null;

  # `s` holds no line end (as any reader counts them) and no NUL.
  isSingleLine = s: builtins.match breakRegex s == null;

  # The option type of a string written into a system file: `valid` (given
  # strings only) says which may be written; merged as types.str is.
  checkedStr = name: description: valid: lib.mkOptionType {
    inherit name description;
    descriptionClass = "noun";
    check = x: builtins.isString x && valid x;
    merge = lib.mergeEqualOption;
  };

  # A string written as one line: a line end in it would add a line (a
  # setting, an entry) of the definer's choice.
  singleLineStr = name: description: checkedStr name description isSingleLine;

  # `s` can be a field of passwd, group or shadow.
  isPasswdField = s: isSingleLine s && builtins.match ".*:.*" s == null;

  # "a/b": no empty, "." or ".." component (so no leading "/", no "//", no
  # trailing "/"), one line.  Two matches rather than splitting `s`
  # (`lib.splitString`, then a test per component): the same answer for
  # every string (tests/modules/test_normalized_paths.py, real Nix too).
  isNormalizedRelative = s:
    isSingleLine s
    && builtins.match "[^/]+(/[^/]+)*" s != null
    && builtins.match "(.*/)?[.][.]?(/.*)?" s == null;

  # "/a/b" (or "/"): absolute, and normalized as above.
  isNormalizedAbsolute = s:
    s == "/" || (lib.hasPrefix "/" s && isNormalizedRelative (lib.removePrefix "/" s));

  # lib.types.passwdEntry, with the whole check above and without copying a
  # path value into the store to look at it ("${x}" would).
  passwdEntry = t: types.passwdEntry t // {
    check = x: t.check x && isPasswdField (toString x);
  };

  # An absolute path (a string or a path value, kept as it is written).
  absolutePath = types.addCheck types.path (x: isNormalizedAbsolute (toString x)) // {
    name = "absolutePath";
    description = "normalized absolute path (no \".\" or \"..\" components, no \"//\", no trailing slash)";
    descriptionClass = "noun";
  };

  # The JSON spelling of a string, so a hostile one shows its newlines.
  show = builtins.toJSON;

  # " (defined in FILE:LINE, …)", or "" when `locs` is empty.
  definedIn = locs:
    lib.optionalString (locs != [ ]) " (defined in ${lib.concatStringsSep ", " (lib.unique locs)})";

  # The locations of the definitions of option record `opt` whose value satisfies `pred`.
  optionLocations = opt: pred:
    map showDef (builtins.filter (d: pred d.value) (opt.definitionsWithLocations or [ ]));

  # The locations of attribute `n` of the attrsOf option record `opt`: the
  # attribute's own line where it is written in the definition's file.
  attrLocations = opt: n:
    lib.concatMap (d:
      let p = posIn n d.value; in
      if p == false then [ ]
      else if p != null && p.file == toString d.file then [ "${p.file}:${toString p.line}" ]
      else [ (showDef d) ]
    ) (opt.definitionsWithLocations or [ ]);

  # Where the `name` (or `target`) of entry `key` of `parent` (an attrsOf
  # option record) comes from: its own definitions when it is set, else the
  # entry's, since it defaults to the attribute name.
  nameLocations = parent: key: opt: value:
    if opt.highestPrio or 1500 < 1500 then optionLocations opt (v: v == value)
    else attrLocations parent key;
}
