export { connectClient } from './connect';
