DROP TABLE registration_sends;
