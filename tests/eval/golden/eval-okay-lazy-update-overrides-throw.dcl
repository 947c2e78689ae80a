({ x = throw "x"; } // { x = 1; }).x
