"""What every domain shares: model base and mixins, money, audit trail, file
store, security (roles and permissions as data), errors, formatting."""
