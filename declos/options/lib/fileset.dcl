# lib.fileset: sets of local files, combined with set operations and copied
# into the store with only those files (nixpkgs lib.fileset semantics).
#
# A file set is `{ _type = "fileset"; _files = { "<absolute path>" = <type>; }; }`:
# the regular files and symlinks it holds, by absolute path (directories are
# never members: a directory path stands for every file below it).  A path
# value is accepted wherever a file set is, and means the files at or below
# it; a path that does not exist is an error unless wrapped in maybeMissing.
#   toSource { root = ./.; fileset = unions [ ./src (fileFilter (f: f.hasExt "c") ./lib) ]; }
{ lib }:
let
  inherit (builtins)
    attrNames
    concatMap
    filter
    foldl'
    head
    isAttrs
    isList
    isPath
    length
    listToAttrs
    map
    pathExists
    readDir
    readFileType
    typeOf
    ;

  isFileset = x: isAttrs x && (x._type or null) == "fileset";

  make = files: {
    _type = "fileset";
    _files = files;
  };

  empty = make { };

  # Every file at or below `path` (a path value that exists).
  filesUnder =
    path:
    let
      walk =
        dir:
        let
          entries = readDir dir; # read once per directory, not once per entry
        in
        concatMap (
          name:
          let
            type = entries.${name};
            p = dir + "/${name}";
          in
          if type == "directory" then
            walk p
          else
            [
              {
                name = toString p;
                value = type;
              }
            ]
        ) (attrNames entries);
      type = readFileType path;
    in
    listToAttrs (
      if type == "directory" then
        walk path
      else
        [
          {
            name = toString path;
            value = type;
          }
        ]
    );

  # A file set from what a function was given, or a located error.
  coerce =
    fn: context: x:
    if isFileset x then
      x
    else if isPath x then
      if pathExists x then
        make (filesUnder x)
      else
        throw ''
          lib.fileset.${fn}: ${context} (${toString x}) is a path that does not exist.
              To create a file set from a path that may not exist, use `lib.fileset.maybeMissing`.''
    else if lib.strings.isStringLike x then
      throw ''
        lib.fileset.${fn}: ${context} ("${toString x}") is a string-like value, but it should be a file set or a path instead.
            Paths represented as strings are not supported by `lib.fileset`, use `lib.sources` or make sure to append paths to project root directories.''
    else
      throw "lib.fileset.${fn}: ${context} is of type ${typeOf x}, but it should be a file set or a path instead.";

  coerceList =
    fn: list:
    if !isList list then
      throw "lib.fileset.${fn}: Argument is of type ${typeOf list}, but it should be a list instead."
    else
      lib.lists.imap0 (i: coerce fn "Element ${toString i}") list;

  unions = list: make (foldl' (acc: fs: acc // fs._files) { } (coerceList "unions" list));

  union = a: b: make ((coerce "union" "First argument" a)._files // (coerce "union" "Second argument" b)._files);

  intersection =
    a: b: make (builtins.intersectAttrs (coerce "intersection" "First argument" a)._files (coerce "intersection" "Second argument" b)._files);

  difference =
    a: b: make (removeAttrs (coerce "difference" "First argument (positive set)" a)._files (attrNames (coerce "difference" "Second argument (negative set)" b)._files));

  maybeMissing =
    path:
    if !isPath path then
      throw "lib.fileset.maybeMissing: Argument (${toString path}) is a string-like value, but it should be a path instead."
    else if pathExists path then
      make (filesUnder path)
    else
      empty;

  # The files at or below `path` for which `predicate { name; type; hasExt; }`
  # is true (`name` the base name, `type` "regular", "symlink" or "unknown").
  fileFilter =
    predicate: path:
    if !isPath path then
      throw "lib.fileset.fileFilter: Second argument is of type ${typeOf path}, but it should be a path instead."
    else
      let
        all = (coerce "fileFilter" "Second argument" path)._files;
      in
      make (
        lib.attrsets.filterAttrs (
          file: type:
          let
            name = baseNameOf file;
          in
          predicate {
            inherit name type;
            hasExt = ext: lib.strings.hasSuffix ".${ext}" name;
          }
        ) all
      );

  toList = fs: map (p: /. + p) (attrNames (coerce "toList" "Argument" fs)._files);

  # A store path holding the files of `fileset`, laid out as they are
  # below `root` (a directory every file must be under).
  toSource =
    {
      root,
      fileset,
    }:
    let
      fs = coerce "toSource" "`fileset`" fileset;
      rootStr = toString root;
      files = attrNames fs._files;
      outside = filter (f: !lib.strings.hasPrefix (rootStr + "/") f) files;
      # Every directory that holds a member, so the filter descends into it.
      dirs = listToAttrs (
        concatMap (
          f:
          map (d: {
            name = d;
            value = true;
          }) (ancestors f)
        ) files
      );
      ancestors =
        f:
        let
          d = dirOf f;
        in
        if d == rootStr || d == "/" || d == f then [ ] else [ d ] ++ ancestors d;
    in
    if !isPath root then
      throw "lib.fileset.toSource: `root` (${toString root}) is a string-like value, but it should be a path instead."
    else if !pathExists root then
      throw "lib.fileset.toSource: `root` (${rootStr}) is a path that does not exist."
    else if readFileType root != "directory" then
      throw ''
        lib.fileset.toSource: `root` (${rootStr}) is a file, but it should be a directory instead. Potential solutions:
            - If you want to import the file into the store _without_ a containing directory, use string interpolation or `builtins.path` instead of this function.
            - If you want to import the file into the store _with_ a containing directory, set `root` to the containing directory, such as ${toString (dirOf root)}, and set `fileset` to the file path.''
    else if outside != [ ] then
      throw ''
        lib.fileset.toSource: `fileset` could contain files in ${dirOf (head outside)}, which is not under the `root` (${rootStr}). Potential solutions:
            - Set `root` to ${dirOf (head outside)} or any directory higher up. This changes the layout of the resulting store path.
            - Set `fileset` to a file set that cannot contain files outside the `root` (${rootStr}). This could change the files included in the result.''
    else
      builtins.path {
        name = "source";
        path = root;
        filter = p: type: fs._files ? ${p} || (type == "directory" && dirs ? ${p});
      };

  # What `toSource` would copy: a `cleanSource`-like source or a path.
  fromSource =
    source:
    if isPath source then
      coerce "fromSource" "Argument" source
    else if isAttrs source && source ? origSrc && source ? filter then
      make (lib.attrsets.filterAttrs (p: type: source.filter p type) (filesUnder source.origSrc))
    else
      throw "lib.fileset.fromSource: The source origin of the argument is of type ${typeOf source}, but it should be a path instead.";

  gitTrackedWith =
    _options: path:
    throw "lib.fileset.gitTracked: ${toString path}: builtins.fetchGit is not available: declos evaluates without network or git access. List the files with lib.fileset.unions instead.";

  # Prints the files of a set (one per line, relative to the common root)
  # when `val` is evaluated.
  trace =
    fileset: val:
    let
      fs = coerce "trace" "Argument" fileset;
      files = attrNames fs._files;
    in
    builtins.trace (
      if files == [ ] then "(empty)" else lib.strings.concatMapStringsSep "\n" (f: "- ${f} (${fs._files.${f}})") files
    ) val;

  traceVal = fileset: trace fileset fileset;
in
{
  inherit
    isFileset
    empty
    unions
    union
    intersection
    difference
    maybeMissing
    fileFilter
    toList
    toSource
    fromSource
    gitTrackedWith
    trace
    traceVal
    ;
  gitTracked = gitTrackedWith { };
  # Internal: the number of files, for tests and messages.
  _size = fs: length (attrNames (coerce "_size" "Argument" fs)._files);
}
