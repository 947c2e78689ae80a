{ settings.Other = "not an int"; }
