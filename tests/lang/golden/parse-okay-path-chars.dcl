[ ./a-b_c.d+e /x/y.z ./.. ]
