[ (null == null) (null == false) ([ ] == [ ]) ({ } == { }) ("" == "") (true == true) ]
