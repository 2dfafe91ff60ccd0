CREATE TABLE loose (a, b ANY, c CUSTOM_TYPE(3, 4), d "quoted type");
