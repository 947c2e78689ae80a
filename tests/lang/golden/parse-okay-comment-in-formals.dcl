{ /* c */ a # x
, b }: a
