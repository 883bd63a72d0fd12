// Codes asserted by another suite instead of a fixture here, with the suite
// that asserts them (the meta-test checks the suite mentions the code).
export const codesAssertedElsewhere: Readonly<Record<string, string>> = {
  BC0001: 'test/diagnostics/printer.test.ts', // the entry file cannot be read
  BC9001: 'test/diagnostics/printer.test.ts', // a pass that throws
};

/** Whole ranges owned by other engineers' suites (migrations, emit/merge). */
export const rangesAssertedElsewhere: Readonly<Record<string, string>> = {
  BC7: 'test/database (migrations)',
  BC8: 'test/emit (writer, merge)',
};
