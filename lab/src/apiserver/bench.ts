export async function benchApiServer(): Promise<{ rows: { what: string; value: string; target: string }[] }> { return Promise.resolve({ rows: [] }); }
