# The nginx web server: `services.nginx`, with NixOS's options (a subset:
# virtual hosts with listen, locations, SSL and redirects; the recommended*
# settings; appended configuration).  nginx.conf is rendered from
# ./nginx.conf.j2 with `pkgs.template` and linked as /etc/nginx/nginx.conf;
# nginx.service runs the host's nginx (`executable`) as `user`, as NixOS
# does (no `user` directive; CAP_NET_BIND_SERVICE), with its pid under
# /run/nginx, temporary files under /var/cache/nginx and logs under
# /var/log/nginx (RuntimeDirectory=, CacheDirectory=, LogsDirectory=).
#
#   services.nginx = {
#     enable = true;
#     virtualHosts."example.org" = {
#       default = true;
#       root = "/srv/www";
#       locations."/api/".proxyPass = "http://127.0.0.1:8080/";
#     };
#   };
#
# nginx.conf is checked with the host's `nginx -t` at build time
# (`validateConfigFile`), in fresh user and network namespaces with its
# runtime directories in the build directory.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.services.nginx;
  opts = options.services.nginx;
  checks = import ../system/checks-lib.dcl { inherit lib; };
  chk = import ../config/checks-lib.dcl { inherit lib; };

  # Values written into nginx.conf as a directive's arguments: nginx ends a
  # directive at `;` and opens or closes a block at a brace, so
  # `root = "/srv; autoindex on"` would add a directive `nginx -t` accepts;
  # quotes, `#` and backslashes change how the rest of the line is read.
  nginxSafe = s: chk.isSingleLine s && builtins.match ".*[;{}#\"'\\].*" s == null;
  nginxArgs = chk.checkedStr "nginxArgs" "nginx arguments (no ;, braces, #, quotes, backslash or line end)" nginxSafe;
  nginxPath = lib.mkOptionType {
    name = "nginxPath";
    description = "absolute path for nginx (no ;, braces, #, quotes, backslash, blank or line end)";
    descriptionClass = "noun";
    # A path value is written as the store path it is copied to.
    check = x: types.path.check x
      && (builtins.isPath x || nginxSafe x && builtins.match ".*[[:space:]].*" x == null);
    merge = lib.mergeEqualOption;
  };

  # Origins of the lines `name value;` written from a typed option (`shown`: its block's path, shown once).
  directiveOrigin = shown: opt: name: value:
    checks.valueOriginIn shown opt (lib.optionalString (value != null)
      "${name} ${if builtins.isInt value then toString value else "${value}"};\n");

  # Internal option of a vhost or location: where its lines come from.
  checkOriginsOption = origins: mkOption {
    type = checks.originsType;
    internal = true;
    visible = false;
    readOnly = true;
    default = origins;
    description = "Where the lines of this block in nginx.conf come from, for the check's errors.";
  };

  # A location's options but `_checkOrigins` (which reads the location's
  # own): made once, not again for each location of each virtual host.
  locationOptions = {
    proxyPass = mkOption {
      type = types.nullOr nginxArgs;
      default = null;
      example = "http://127.0.0.1:8080/";
      description = "Where requests are passed on (proxy_pass).";
    };
    proxyWebsockets = mkOption {
      type = types.bool;
      default = false;
      description = "Whether WebSocket connections are passed on (the Upgrade and Connection headers).";
    };
    recommendedProxySettings = mkOption {
      type = types.bool;
      default = cfg.recommendedProxySettings;
      defaultText = lib.literalExpression "config.services.nginx.recommendedProxySettings";
      description = "Whether the usual proxy headers (Host, X-Real-IP, X-Forwarded-*) are set for proxyPass.";
    };
    index = mkOption {
      type = types.nullOr nginxArgs;
      default = null;
      example = "index.php index.html";
      description = "The index files (index).";
    };
    tryFiles = mkOption {
      type = types.nullOr nginxArgs;
      default = null;
      example = "$uri =404";
      description = "Files tried in turn (try_files).";
    };
    root = mkOption {
      type = types.nullOr nginxPath;
      default = null;
      example = "/data/webserver/docs";
      description = "The document root of this location (root).";
    };
    alias = mkOption {
      type = types.nullOr nginxPath;
      default = null;
      example = "/your/alias/directory";
      description = "A directory replacing the location's path (alias); exclusive with `root`.";
    };
    return = mkOption {
      type = types.nullOr (types.oneOf [ types.str types.int ]);
      default = null;
      example = "301 http://example.com$request_uri";
      description = "A status (and URL or text) returned for every request here (return).";
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Verbatim directives inside the location block.";
    };
    priority = mkOption {
      type = types.int;
      default = 1000;
      description = "Order of the location blocks in the server block: lower first, then by path.";
    };
  };

  locationModule = { name, config, options, ... }: let here = lib.showOption (lib.init options.root.loc); in {
    options = locationOptions // {
      _checkOrigins = checkOriginsOption (checks.definitionOrigins options.extraConfig ++ [
        (directiveOrigin here options.proxyPass "proxy_pass" config.proxyPass)
        (directiveOrigin here options.index "index" config.index)
        (directiveOrigin here options.tryFiles "try_files" config.tryFiles)
        (directiveOrigin here options.return "return" config.return)
        (directiveOrigin here options.root "root" config.root)
        (directiveOrigin here options.alias "alias" config.alias)
      ]);
    };
  };

  listenModule = {
    options = {
      addr = mkOption {
        type = nginxArgs;
        example = "[::1]";
        description = "Address to listen on (an IPv6 address in brackets).";
      };
      port = mkOption {
        type = types.nullOr types.port;
        default = null;
        description = "Port to listen on; null: `defaultSSLListenPort` with `ssl`, else `defaultHTTPListenPort`.";
      };
      ssl = mkOption {
        type = types.bool;
        default = false;
        description = "Whether this socket speaks TLS.";
      };
      extraParameters = mkOption {
        type = types.listOf nginxArgs;
        default = [ ];
        example = [ "backlog=1024" "deferred" ];
        description = "More parameters of the listen directive.";
      };
    };
  };

  # A virtual host's options but those reading its own (`_checkOrigins`,
  # `_sslDefinedAt`): made once, not again for each virtual host.
  vhostOptions = {
    serverName = mkOption {
      type = types.nullOr nginxArgs;
      default = null;
      description = "The virtual host's name (server_name); null: the attribute name.";
    };
    serverAliases = mkOption {
      type = types.listOf nginxArgs;
      default = [ ];
      example = [ "www.example.org" ];
      description = "More names of this virtual host.";
    };
    listen = mkOption {
      type = types.listOf (types.submodule listenModule);
      default = [ ];
      example = [ { addr = "195.154.1.1"; port = 443; ssl = true; } { addr = "[::]"; port = 8080; } ];
      description = ''
        Sockets to listen on.  Empty: every `defaultListenAddresses` on
        port 80 and, with SSL, 443.
      '';
    };
    default = mkOption {
      type = types.bool;
      default = false;
      description = "Whether this is the default server of its sockets (default_server).";
    };
    root = mkOption {
      type = types.nullOr nginxPath;
      default = null;
      example = "/data/webserver/docs";
      description = "The document root (root).";
    };
    locations = mkOption {
      type = types.attrsOf (types.submodule locationModule);
      default = { };
      example = lib.literalExpression ''{ "/".root = "/srv/www"; "/api/".proxyPass = "http://127.0.0.1:8080/"; }'';
      description = "Location blocks, by path (any location syntax: \"~ \\.php$\", \"= /50x.html\").";
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Verbatim directives inside the server block.";
    };
    addSSL = mkOption {
      type = types.bool;
      default = false;
      description = "Whether the host is also served with TLS (on `defaultSSLListenPort`).";
    };
    onlySSL = mkOption {
      type = types.bool;
      default = false;
      description = "Whether the host is served with TLS only.";
    };
    forceSSL = mkOption {
      type = types.bool;
      default = false;
      description = "Whether plain HTTP requests are redirected to HTTPS (301).";
    };
    sslCertificate = mkOption {
      type = types.nullOr nginxPath;
      default = null;
      example = "/var/host.cert";
      description = "The certificate (chain) of the TLS sockets.";
    };
    sslCertificateKey = mkOption {
      type = types.nullOr nginxPath;
      default = null;
      example = "/var/host.key";
      description = "The private key of `sslCertificate`.";
    };
    http2 = mkOption {
      type = types.bool;
      default = true;
      description = "Whether HTTP/2 is offered on the TLS sockets.";
    };
  };

  vhostModule = { name, config, options, ... }: let here = lib.showOption (lib.init options.root.loc); in {
    options = vhostOptions // {
      _checkOrigins = checkOriginsOption (checks.definitionOrigins options.extraConfig ++ [
        (directiveOrigin here options.root "root" config.root)
        (directiveOrigin here options.sslCertificate "ssl_certificate" config.sslCertificate)
        (directiveOrigin here options.sslCertificateKey "ssl_certificate_key" config.sslCertificateKey)
      ] ++ lib.concatMap (l: l._checkOrigins) (lib.attrValues config.locations));
      _sslDefinedAt = mkOption {
        type = types.listOf nginxArgs;
        internal = true;
        visible = false;
        readOnly = true;
        default = map showDefinition (lib.filter (d: d.value == true)
          (lib.concatMap (o: o.definitionsWithLocations or [ ]) [ options.addSSL options.onlySSL options.forceSSL ]));
        description = "FILE:LINE of the definitions turning on addSSL, onlySSL or forceSSL, for the assertions' messages.";
      };
    };
  };

  listenLine = default: l:
    lib.concatStringsSep " " ([ "${l.addr}:${toString l.port}" ]
      ++ lib.optional l.ssl "ssl"
      ++ lib.optional (l.ssl && l.http2) "http2"
      ++ lib.optional default "default_server"
      ++ l.extraParameters);

  sortedLocations = locations: lib.sort
    (a: b: if a.priority != b.priority then a.priority < b.priority else a.path < b.path)
    (lib.mapAttrsToList (path: l: l // { inherit path; }) locations);

  locationVars = l: {
    inherit (l) path proxyPass proxyWebsockets index tryFiles extraConfig;
    proxyHeaders = l.proxyPass != null && l.recommendedProxySettings;
    root = if l.root == null then null else "${l.root}";
    alias = if l.alias == null then null else "${l.alias}";
    return = if l.return == null then null else toString l.return;
  };

  # One vhost -> its server blocks (two with forceSSL: the redirect and the TLS one).
  servers = name: v:
    let
      hasSSL = v.onlySSL || v.addSSL || v.forceSSL;
      given = map (l: l // {
        port = if l.port != null then l.port else if l.ssl then cfg.defaultSSLListenPort else cfg.defaultHTTPListenPort;
        http2 = v.http2;
      }) v.listen;
      defaults = ssl: map (addr: {
        inherit addr ssl;
        port = if ssl then cfg.defaultSSLListenPort else cfg.defaultHTTPListenPort;
        extraParameters = [ ];
        http2 = v.http2;
      }) cfg.defaultListenAddresses;
      sockets = if v.listen != [ ] then given
        else lib.optionals (!v.onlySSL) (defaults false) ++ lib.optionals hasSSL (defaults true);
      plain = lib.filter (l: !l.ssl) sockets;
      tls = lib.filter (l: l.ssl) sockets;
      base = {
        inherit name;
        names = [ (if v.serverName != null then v.serverName else name) ] ++ v.serverAliases;
        redirect = false;
        root = if v.root == null then null else "${v.root}";
        ssl = tls != [ ];
        sslCertificate = if v.sslCertificate == null then null else "${v.sslCertificate}";
        sslCertificateKey = if v.sslCertificateKey == null then null else "${v.sslCertificateKey}";
        locations = map locationVars (sortedLocations v.locations);
        inherit (v) extraConfig;
      };
    in
    if v.forceSSL && plain != [ ] then [
      (base // { listen = map (listenLine v.default) plain; redirect = true; ssl = false; locations = [ ]; extraConfig = ""; root = null; })
      (base // { listen = map (listenLine v.default) tls; })
    ] else [
      (base // { listen = map (listenLine v.default) sockets; })
    ];

  inherit (checks) showDefinition;

  # " (defined in FILE:LINE, …)" where addSSL, onlySSL or forceSSL were
  # turned on, or "" when no location is known.
  sslDefinedAt = v: lib.optionalString (v._sslDefinedAt != [ ]) " (defined in ${lib.concatStringsSep ", " v._sslDefinedAt})";

  vhostAssertions = name: v:
    let hasSSL = v.onlySSL || v.addSSL || v.forceSSL || lib.any (l: l.ssl) v.listen; in
    [
      {
        assertion = lib.count lib.id [ v.addSSL v.onlySSL v.forceSSL ] <= 1;
        message = "services.nginx.virtualHosts.\"${name}\": at most one of addSSL, onlySSL and forceSSL may be set${sslDefinedAt v}.";
      }
      {
        assertion = !hasSSL || (v.sslCertificate != null && v.sslCertificateKey != null);
        message = "services.nginx.virtualHosts.\"${name}\" uses TLS${sslDefinedAt v}: set its sslCertificate and sslCertificateKey.";
      }
    ] ++ lib.mapAttrsToList (path: l: {
      assertion = l.root == null || l.alias == null;
      message = "services.nginx.virtualHosts.\"${name}\".locations.\"${path}\": only one of root and alias may be set.";
    }) v.locations;

  configFile = pkgs.template {
    name = "nginx.conf";
    src = ./nginx.conf.j2;
    vars = {
      inherit (cfg) logError eventsConfig clientMaxBodySize serverTokens typesHashMaxSize
        serverNamesHashBucketSize recommendedOptimisation recommendedGzipSettings
        recommendedProxySettings recommendedTlsSettings sslProtocols sslCiphers
        commonHttpConfig appendHttpConfig appendConfig;
      mimeTypes = "${cfg.defaultMimeTypes}";
      servers = lib.concatLists (lib.mapAttrsToList servers cfg.virtualHosts);
    };
  };

  # nginx -t as an unprivileged user in fresh user and network namespaces
  # (binding any port and address works there), with the runtime, cache
  # and log directories the unit would have moved into the build directory.
  check = pkgs.checkConfigFile {
    name = "nginx.conf";
    program = cfg.executable;
    what = "nginx -t";
    hint = "services.nginx.validateConfigFile = false";
    files = [ { target = "/etc/nginx/nginx.conf"; source = configFile; } ];
    command = ''
      for d in /run/nginx /var/cache/nginx /var/log/nginx; do
        mkdir -p "$PWD$d"
        sed -i "s#$d/#$PWD$d/#g" "$file"
      done
      isolated "$program" -t -q -p "$PWD/" -e stderr -c "$file" >nginx.out 2>&1
      status=$?
      sed -E 's#^[0-9/]{10} [0-9:]{8} (\[[a-z]+\]) [0-9]+\#[0-9]+: #nginx: \1 #' nginx.out
      exit $status
    '';
    origin = "services.nginx";
    origins = lib.concatMap checks.definitionOrigins
      [ opts.eventsConfig opts.commonHttpConfig opts.appendHttpConfig opts.appendConfig ]
      ++ lib.concatMap (v: v._checkOrigins) (lib.attrValues cfg.virtualHosts);
    # What nginx -t needs of the building host that the target has:
    # certificates and included files, names to resolve, users.
    hostDependent = "\\((2: No such file or directory|13: Permission denied|98: Address already in use|99: Cannot assign requested address)\\)"
      + "|host not found|cannot load certificate|BIO_new_file|getpwnam|getgrnam";
    ignoreOutput = "^nginx: configuration file .* test failed$";
  };

in
{
  options.services.nginx = {
    enable = lib.mkEnableOption "the nginx web server";

    executable = mkOption {
      type = types.str;
      default = "/usr/sbin/nginx";
      description = "The host's nginx (declos has no package set: the distribution's nginx provides it).";
    };

    user = mkOption {
      type = nginxArgs;
      default = "nginx";
      description = "The account nginx runs as; \"nginx\" (the default) is declared by this module.";
    };

    group = mkOption {
      type = nginxArgs;
      default = "nginx";
      description = "The group nginx runs as; \"nginx\" (the default) is declared by this module.";
    };

    virtualHosts = mkOption {
      type = types.attrsOf (types.submodule vhostModule);
      default = { };
      example = lib.literalExpression ''
        { "example.org" = { default = true; root = "/srv/www"; };
          "api.example.org".locations."/".proxyPass = "http://127.0.0.1:8080/";
        }
      '';
      description = "The virtual hosts (server blocks), by name.";
    };

    defaultListenAddresses = mkOption {
      type = types.listOf nginxArgs;
      default = [ "0.0.0.0" "[::0]" ];
      description = "Where virtual hosts without `listen` listen.";
    };

    defaultHTTPListenPort = mkOption {
      type = types.port;
      default = 80;
      description = "The port of plain HTTP sockets without one.";
    };

    defaultSSLListenPort = mkOption {
      type = types.port;
      default = 443;
      description = "The port of TLS sockets without one.";
    };

    defaultMimeTypes = mkOption {
      type = types.path;
      default = "/etc/nginx/mime.types";
      description = "The file mapping extensions to MIME types (the distribution's, by default).";
    };

    logError = mkOption {
      type = nginxArgs;
      default = "stderr";
      example = "/var/log/nginx/error.log warn";
      description = "Where errors are logged, and from which level (error_log).";
    };

    eventsConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Verbatim directives of the events block.";
    };

    commonHttpConfig = mkOption {
      type = types.lines;
      default = "";
      example = "log_format main '$remote_addr - $remote_user [$time_local] \"$request\"';";
      description = "Verbatim directives at the start of the http block, before the virtual hosts.";
    };

    appendHttpConfig = mkOption {
      type = types.lines;
      default = "";
      description = "Verbatim directives at the end of the http block.";
    };

    appendConfig = mkOption {
      type = types.lines;
      default = "";
      example = "worker_processes auto;";
      description = "Verbatim directives at the end of nginx.conf (the main context).";
    };

    clientMaxBodySize = mkOption {
      type = nginxArgs;
      default = "10m";
      description = "The largest request body accepted (client_max_body_size).";
    };

    serverTokens = mkOption {
      type = types.bool;
      default = false;
      description = "Whether nginx shows its version in error pages and the Server header.";
    };

    typesHashMaxSize = mkOption {
      type = types.ints.positive;
      default = 4096;
      description = "types_hash_max_size.";
    };

    serverNamesHashBucketSize = mkOption {
      type = types.nullOr types.ints.positive;
      default = null;
      description = "server_names_hash_bucket_size (raise it for long server names); null: nginx's default.";
    };

    recommendedOptimisation = mkOption {
      type = types.bool;
      default = false;
      description = "Whether sendfile, tcp_nopush, tcp_nodelay and keepalive_timeout are set as NixOS recommends.";
    };

    recommendedGzipSettings = mkOption {
      type = types.bool;
      default = false;
      description = "Whether responses are compressed with gzip (text types, level 5).";
    };

    recommendedProxySettings = mkOption {
      type = types.bool;
      default = false;
      description = "Whether proxied locations get the usual headers and timeouts.";
    };

    recommendedTlsSettings = mkOption {
      type = types.bool;
      default = false;
      description = "Whether TLS sessions are cached and tickets disabled, as NixOS recommends.";
    };

    sslProtocols = mkOption {
      type = nginxArgs;
      default = "TLSv1.2 TLSv1.3";
      description = "The TLS versions allowed (ssl_protocols).";
    };

    validateConfigFile = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether nginx.conf is checked with `nginx -t` (the host's
        `executable`, as an unprivileged user in fresh user and network
        namespaces) when the system is built: an unknown directive or a
        bad argument then fails the build, naming the definition that
        wrote it, instead of stopping nginx at its next reload.  A test
        that stops at something only the target has (a certificate file,
        an included file, a host name to resolve) is reported as not run,
        as is one without nginx on the building host.
      '';
    };

    sslCiphers = mkOption {
      type = types.nullOr nginxArgs;
      default = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";
      description = "The TLS 1.2 cipher suites allowed (ssl_ciphers); null: nginx's default.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = lib.concatLists (lib.mapAttrsToList vhostAssertions cfg.virtualHosts);

    environment.etc."nginx/nginx.conf".source = configFile;

    system.checks = lib.optional cfg.validateConfigFile check;

    systemd.services.nginx = {
      description = "Nginx Web Server";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network.target" "network-online.target" ];
      stopIfChanged = false;
      preStart = "${cfg.executable} -t -q -c /etc/nginx/nginx.conf";
      restartTriggers = [ configFile ];
      serviceConfig = {
        ExecStart = "${cfg.executable} -c /etc/nginx/nginx.conf";
        ExecReload = [ "${cfg.executable} -t -q -c /etc/nginx/nginx.conf" "/bin/kill -HUP $MAINPID" ];
        Restart = "always";
        RestartSec = "10s";
        User = cfg.user;
        Group = cfg.group;
        RuntimeDirectory = "nginx";
        RuntimeDirectoryMode = "0750";
        CacheDirectory = "nginx";
        CacheDirectoryMode = "0750";
        LogsDirectory = "nginx";
        LogsDirectoryMode = "0750";
        AmbientCapabilities = "CAP_NET_BIND_SERVICE CAP_SYS_RESOURCE";
        CapabilityBoundingSet = "CAP_NET_BIND_SERVICE CAP_SYS_RESOURCE";
        NoNewPrivileges = true;
        PrivateTmp = true;
        ProtectHome = true;
        ProtectSystem = "full";
      };
    };

    users.users = lib.optionalAttrs (cfg.user == "nginx") {
      nginx = {
        isSystemUser = true;
        group = cfg.group;
        description = "nginx web server user";
      };
    };
    users.groups = lib.optionalAttrs (cfg.group == "nginx") { nginx = { }; };
  };
}
