{ named.first.myNme = "x"; }
