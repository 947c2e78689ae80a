./data + ("/" + "dir")
