{ enable = throw "oops"; }
