import 'fake-indexeddb/auto';
import '@testing-library/react';
