-- One database per app (run once by the postgres image on an empty data volume, as POSTGRES_USER).
CREATE DATABASE shop_users;
CREATE DATABASE shop_catalog;
CREATE DATABASE shop_orders;
CREATE DATABASE shop_inventory;
