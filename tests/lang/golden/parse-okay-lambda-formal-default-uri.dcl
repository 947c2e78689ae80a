{ a ? x:y, b }: a
