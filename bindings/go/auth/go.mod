module auth.invalid/go/auth

go 1.19
