// Placeholder until the database setup lands.
export default async function setup(): Promise<void> {}
