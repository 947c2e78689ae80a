[ (null != null) (true != false) ({ } != [ ]) ]
