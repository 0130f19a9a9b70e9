[ ./dir/ ]
