SET statement_timeout TO 2000
