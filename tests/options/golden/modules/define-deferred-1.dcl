{ deferred.x = "deferred value"; }
