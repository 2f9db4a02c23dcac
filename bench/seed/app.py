"""The seeds' own design, for the side-by-side benchmark (SPEC §7).

`POST /api/v1/events` as seed 002 specifies it, built the way seeds 000 and 001 build
their services: FastAPI with a Pydantic schema, SQLAlchemy 2 ORM models on SQLite, a
session per request from `Depends(get_db)`, the student found or created by email, the
execution added, one commit per request, and `uvicorn app:app` as in seed 001's
Dockerfile. Nothing here is part of Lectern; `lectern-bench seed` starts it and
measures it with the same load generator and the same events as Lectern.

The database file is taken from `SEED_DATABASE` (default `seed.db`).
"""

import os
from datetime import datetime
from typing import Generator, Optional

from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
)
from sqlalchemy.orm import Session, declarative_base, relationship, sessionmaker
from sqlalchemy.sql import func

engine = create_engine(
    f"sqlite:///{os.environ.get('SEED_DATABASE', 'seed.db')}",
    connect_args={"check_same_thread": False},
)
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
Base = declarative_base()


class Student(Base):
    __tablename__ = "students"

    id = Column(Integer, primary_key=True, index=True)
    email = Column(String(255), unique=True, index=True, nullable=False)
    name = Column(String(255), nullable=False)
    team_name = Column(String(50), nullable=True)
    created_at = Column(DateTime(timezone=True), server_default=func.now())

    executions = relationship("CellExecution", back_populates="student")


class CellExecution(Base):
    __tablename__ = "cell_executions"

    id = Column(Integer, primary_key=True, index=True)
    student_id = Column(Integer, ForeignKey("students.id"), nullable=False, index=True)
    notebook_path = Column(String(500), nullable=False)
    cell_id = Column(String(255), nullable=True)
    cell_type = Column(String(20), nullable=False)
    execution_count = Column(Integer, nullable=True)
    code = Column(Text, nullable=True)
    output = Column(Text, nullable=True)
    status = Column(String(20), nullable=False)
    error_type = Column(String(255), nullable=True)
    error_message = Column(Text, nullable=True)
    execution_time = Column(Float, nullable=True)
    executed_at = Column(DateTime(timezone=True), nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now())

    student = relationship("Student", back_populates="executions")


Base.metadata.create_all(bind=engine)


class EventIn(BaseModel):
    user_id: Optional[str] = None
    user_name: Optional[str] = None
    email: str
    notebook_path: str
    cell_id: Optional[str] = None
    cell_type: str = "code"
    execution_count: Optional[int] = None
    code: Optional[str] = None
    output: Optional[str] = None
    status: str
    error_type: Optional[str] = None
    error_message: Optional[str] = None
    execution_time: Optional[float] = None
    timestamp: datetime
    team_name: Optional[str] = None


class EventOut(BaseModel):
    success: bool
    message: str
    event_id: str


def get_db() -> Generator[Session, None, None]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


app = FastAPI(title="Cell Monitor (seed design)")


@app.post("/api/v1/events", response_model=EventOut, status_code=201)
def create_event(event: EventIn, db: Session = Depends(get_db)) -> EventOut:
    student = db.query(Student).filter(Student.email == event.email).first()
    if student is None:
        student = Student(
            email=event.email,
            name=event.user_name or event.email,
            team_name=event.team_name,
        )
        db.add(student)
        db.flush()
    execution = CellExecution(
        student_id=student.id,
        notebook_path=event.notebook_path,
        cell_id=event.cell_id,
        cell_type=event.cell_type,
        execution_count=event.execution_count,
        code=event.code,
        output=event.output,
        status=event.status,
        error_type=event.error_type,
        error_message=event.error_message,
        execution_time=event.execution_time,
        executed_at=event.timestamp,
    )
    db.add(execution)
    db.commit()
    return EventOut(
        success=True,
        message="Event recorded successfully",
        event_id=f"evt_{execution.id}",
    )
