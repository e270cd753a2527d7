/** Switchboard's Nx generators (`nx g @switchboard/tools:<generator>`; see tools/generators.json). */
export { serviceGenerator } from './service/generator';
export { messageGenerator } from './message/generator';
