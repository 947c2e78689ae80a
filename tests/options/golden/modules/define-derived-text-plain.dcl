{ derivedText = "plain"; }
