''  leading''
