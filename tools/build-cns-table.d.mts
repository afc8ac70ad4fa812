// Types of the table generator, for the tests that import it.
export declare const MAGIC: string
export declare const FORMAT_VERSION: number
export declare const BYTES_PER_CELL: number
export declare const ROWS: number
export declare const CELLS_PER_PLANE: number
export declare const HEADER_SIZE: number
export declare const DIRECTORY_OFFSET: number
export declare const DIRECTORY_SIZE: number
export declare const PLANES: readonly number[]
export declare const EXPECTED_ENTRIES: number
export declare const SOURCE_FILES: readonly string[]
export declare const OUTPUT_PATH: string
export declare function sourceDirectory(): string
export declare function readSourceEntries(directory?: string): [plane: number, row: number, column: number, codePoint: number][]
export declare function buildCnsTable(directory?: string): Buffer
