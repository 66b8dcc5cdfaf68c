import { x } from "#libs/config"; console.log(x);
