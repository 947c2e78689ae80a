f <| g <| a
