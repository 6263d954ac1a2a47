-- One database per app, made once on an empty volume by the postgres image.
CREATE DATABASE shop_users;
CREATE DATABASE shop_catalog;
CREATE DATABASE shop_orders;
CREATE DATABASE shop_inventory;
